"""Print a `.env` for the demo: debug and demo mode on, fresh random keys, SQLite."""

import secrets

from cryptography.fernet import Fernet

print("# Made by `make demo`. Demo only: see .env.example and docs/deploy.md for a real deployment.")
print("DEBUG=true")
print("TONGZHOU_DEMO=true")
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"TONGZHOU_PII_KEY={Fernet.generate_key().decode()}")
