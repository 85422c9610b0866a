"""The one place that reads the process environment (django-environ)."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A local `.env` is honoured for development; real deployments set variables. ENV_FILE
# names another file read first: `make run` writes the settings of the stack it runs to
# .data/run.env, so `ENV_FILE=.data/run.env python manage.py ...` talks to that stack.
# Variables already set in the environment win over both files.
for _dotenv in (os.environ.get("ENV_FILE", ""), BASE_DIR / ".env"):
    if _dotenv and Path(_dotenv).is_file():
        environ.Env.read_env(str(_dotenv), overwrite=False)
