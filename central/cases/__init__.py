"""The case store (:mod:`central.cases.store`) and who may record what (:mod:`central.cases.policy`)."""
