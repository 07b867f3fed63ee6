"""The rules of `docs/clinical-rules.md`: one module per section, pure functions of a Context."""
