"""The running kiosk, assembled: devices (``devices.DeviceHub``), the link to central, the outbox,
documents and the session, wired together for the touchscreen app, the demo and the fleet agent.

Nothing here imports Kivy: ``screens/`` drives this package, never the other way round.
"""
