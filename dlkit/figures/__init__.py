"""Figure code for the chapters: plain ``render_...(**params) -> Figure`` functions.

The widgets in the notebooks only wire sliders to these functions, so tests
can call them directly. One module per chapter.
"""
