"""Peripherals: the device model, serial transport, drivers and emulators (imports nothing of ours).

Layout
    conditions.py  DeviceState, Condition, ActionHint, Fault, HealthLevel, HealthResult
    events.py      typed events and the EventBus (subscribers never run on an I/O thread)
    model.py       the Device base class; re-exports everything above
    stats.py       persisted per-device counters
    transport.py   SerialTransport: URL ports, reader thread, framed requests, reconnect/backoff
    registry.py    driver name → factory; open_device()
    escpos/        receipt printer: commands, profiles, status, render, driver
    magstripe/     card reader: tracks, framing (MagTek, MagTek insertion, ID TECH), badges, driver
    scanner/       QR/barcode scanner: lines (AIM ids, GS1), Zebra SSI, driver
    cups/          document printer over IPP (ipp://, ipps://)
    wedge/         USB HID keyboard-wedge readers/scanners: evdev records, key maps, grab
    emulators/     PtyHost (pty with a stable path and fault switches) and device emulators

Exceptions (peripherals.errors; pyserial/OS errors never escape a driver)
    PeripheralError
    ├── ConfigurationError
    ├── IllegalStateTransition
    ├── DeviceClosed
    ├── DeviceUnavailable      .condition: no_device / offline
    ├── DeviceTimeout
    ├── DeviceFault            .faults
    └── ProtocolError
"""
