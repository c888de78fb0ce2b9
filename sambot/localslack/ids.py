"""The ids of the local workspace's app and bot user."""

BOT_ID = "B0001"
APP_ID = "A0001"
