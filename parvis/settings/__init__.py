"""Settings modules: ``base`` declares every PARVIS_* setting, ``dev``/``test``/``prod`` adjust it."""
