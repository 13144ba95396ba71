"""Inputs of the account mutations."""

from __future__ import annotations

import strawberry


@strawberry.input(description="Email and password of an existing account.")
class LoginInput:
    email: str = strawberry.field(description="Sign-in email (case does not matter).")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="A read-only account for a community committee (居委会 / 村委会) or street office.")
class CreateCommitteeAccountInput:
    email: str = strawberry.field(description="Sign-in email; unique across all accounts.")
    password: str = strawberry.field(description="8 to 128 characters.")
    display_name: str = strawberry.field(description="The name others see, e.g. 同心村村委会.")
    region_code: str = strawberry.field(description="The 6-, 9- or 12-digit region code whose hours it may read.")
