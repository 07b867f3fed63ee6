"""The rules of `design/clinical-rules.md`: one module per section, pure functions of a Context."""
