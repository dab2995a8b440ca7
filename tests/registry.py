"""Point the platform's settings at a simulated registry started by a test."""

TOKEN = "clave-del-registro"


def use_simulator(settings, simulator) -> None:
    """One attempt, half a second: tests of outages should not wait for retries."""
    settings.VENTANILLA_REGISTRY = {
        **settings.VENTANILLA_REGISTRY,
        "URL": simulator.url,
        "TIMEOUT": 0.5,
        "RETRIES": 0,
        "TOKEN": TOKEN,
    }
