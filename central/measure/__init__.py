"""Measurement (DESIGN.md, data flow 5): funnel events from every channel, rollups, metrics, pages.

Why this shape: a performance page or an export must cost the same whether a month holds a thousand
sessions or ten million, so nothing reads raw events after they are folded. Each batch of events
is inserted (deduplicated by its client event id) and folded into counters per office-local day ×
office × service × channel in one transaction (:mod:`.record`); metrics are sums over those
counters (:mod:`.metrics`); the page (:mod:`.pages`), the export (:mod:`.report`, :mod:`.cli_cmd`)
and the API (:mod:`.routes`) only read or write through them. Raw events are kept for a while for
audit and purged (:mod:`.purge`); the counters stay.

Failure model: a batch is one transaction — stored and counted wholly, or not at all (the client
retries; ids already stored count once). An event naming an id the catalogue does not know is
refused alone and reported by index. No field can hold free text, so no answer can reach here.
"""
