"""Persistence: the PyMongo async client, collections, indexes, repositories, the embedded engine."""
