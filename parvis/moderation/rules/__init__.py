"""One module per rule; each exposes `check(text: str) -> list[Finding]`, pure and bounded in time."""
