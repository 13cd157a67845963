"""Where the tests find the real PostgreSQL and Redis (override through the environment)."""
import os

POSTGRES_URL = os.environ.get("SAVER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SAVER_TEST_REDIS", "redis://127.0.0.1:6379/15")
DATABASES = os.environ.get("SAVER_TEST_DATABASES", "sqlite,postgresql").split(",")


def postgres_schema_url(schema):
    """Return a URL whose connections use ``schema`` first."""
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
