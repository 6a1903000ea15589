"""`make serve` and the Docker image: DEBUG off by default."""

from config.settings.base import *  # noqa: F403
