import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402  (needs the apps loaded above)

from config.startup import start_up_lines  # noqa: E402

start_up_lines()
# The views and their declarations now, not on the first request; then everything loaded so far,
# which lives as long as the process, is moved out of the garbage collector's sight: its full
# collections stop walking ~120,000 objects that never die (docs/benchmarks.md, "gc.freeze").
get_resolver().url_patterns  # noqa: B018  (the property loads the URLconf)
gc.freeze()
