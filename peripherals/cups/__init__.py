"""The document printer, through CUPS over IPP (RFC 8010/8011) with the standard library only.

  ipp.py      encode/decode IPP messages (no C dependency, no pycups)
  client.py   the few operations we use, over HTTP: Print-Job, Get-Job-Attributes,
              Get-Printer-Attributes, Cancel-Job
  reasons.py  printer-state-reasons keywords → Fault (condition + action hint)
  driver.py   the Device: submit a PDF, follow the job to completed/aborted, health check

Errors (peripherals.errors; http.client/socket errors are translated in client.py):
    PeripheralError
    ├── ConfigurationError    bad queue URL, unknown option
    ├── DeviceUnavailable     CUPS cannot be reached, or the queue does not exist
    ├── DeviceTimeout         a job did not finish before its deadline
    ├── DeviceFault           the printer reports blocking faults / the job was aborted
    └── ProtocolError         CUPS answered something that is not IPP, or an IPP error status
"""

from peripherals.cups.driver import DocumentPrinter

__all__ = ["DocumentPrinter"]
