"""Data models shared by the API."""
