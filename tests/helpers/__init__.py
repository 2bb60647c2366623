"""What the test folders share. Import helpers from here, never from another folder's conftest.py;
the modules that define fixtures are registered once, as plugins, in ``tests/conftest.py``."""
