def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bench: runs an `oms bench` command end to end (a smoke test, never a timed assertion)"
    )
