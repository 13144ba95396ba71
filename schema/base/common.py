"""Small types every domain uses: points on the map and weekdays."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.type(description="A point on the map (WGS-84 degrees).")
class GeoPoint:
    lat: float = strawberry.field(description="Latitude, -90 to 90.")
    lng: float = strawberry.field(description="Longitude, -180 to 180.")

    @classmethod
    def of(cls, doc: dict | None) -> GeoPoint | None:
        return cls(lat=doc["lat"], lng=doc["lng"]) if doc else None


@strawberry.input(description="A point on the map (WGS-84 degrees).")
class GeoPointInput:
    lat: float = strawberry.field(description="Latitude, -90 to 90.")
    lng: float = strawberry.field(description="Longitude, -180 to 180.")


@strawberry.enum(description="A day of the week (local time, UTC+8).")
class Weekday(Enum):
    MONDAY = strawberry.enum_value("MONDAY", description="星期一")
    TUESDAY = strawberry.enum_value("TUESDAY", description="星期二")
    WEDNESDAY = strawberry.enum_value("WEDNESDAY", description="星期三")
    THURSDAY = strawberry.enum_value("THURSDAY", description="星期四")
    FRIDAY = strawberry.enum_value("FRIDAY", description="星期五")
    SATURDAY = strawberry.enum_value("SATURDAY", description="星期六")
    SUNDAY = strawberry.enum_value("SUNDAY", description="星期日")
