"""The central case service: REST API, web channel (phone), staff channel, fleet view.

Exception tree of the core (third-party errors are translated at the edges into these)::

    Exception
    └── central.problems.ProblemError      an HTTP problem (RFC 9457) raised anywhere in a request
    central.fold.FoldError(ValueError)     an event that cannot apply to the case's state
    central.references.ReferenceError(ValueError)   text that is not a valid case reference
    central.catalogue_service.CatalogueUnavailable(RuntimeError)   catalogue failed to load
"""
