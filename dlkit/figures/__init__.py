"""Figures of the chapters: ``render_xxx(**params) -> matplotlib Figure``, one module per chapter."""
