"""The expression language of questionnaires: parse and check (``checker``), checked
expressions (``expressions``), code generation (``codegen``) and what generated code
calls (``runtime``). It depends on nothing in pmpt but ``errors`` and ``records``."""
