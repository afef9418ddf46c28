"""Technology contracts: registration workflow, statistics, published figures, exports, certificates.

Public entry points (each checks the actor and owns its transaction):
``workflow.create_draft / update_draft / act / get / list_contracts / start_contract_from``,
``bulk.bulk_register / import_file``, ``stats.query / run``, ``published.load_panel``,
``certificate.certificate / certificate_pdf``, ``export.to_csv / to_xlsx``.
"""

from __future__ import annotations

from techbridge.services.contracts.workflow import act, create_draft, get, list_contracts, start_contract_from

__all__ = ["act", "create_draft", "get", "list_contracts", "start_contract_from"]
