"""Kivy-free support for the touchscreen app: words (i18n), accessibility settings and themes,
physical sizing, and speech output. ``screens/`` imports these; nothing here imports Kivy."""
