"""`make run`: the embedded default. DEBUG on, SQLite unless DATABASE_URL says otherwise."""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool, env_list, env_str

SECRET_KEY = env_str("SECRET_KEY") or "local-development-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
# Off under `make run` and `make demo`: the API is open there, with nobody to tell apart.
FOUR_EYES = env_bool("FOUR_EYES", False)
