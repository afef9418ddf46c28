"""The matching engine's own state: readiness, fusion weights, and relearning them from feedback."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.domain.roles import Permission
from techbridge.web.deps import ActorDep, MatchingDep

router = APIRouter()


@router.get("/api/matching/status", tags=["matching"],
            summary="Index readiness per encoder, search mode and the fusion weights in use")
def api_status(matching: MatchingDep) -> dict[str, Any]:
    return {"ok": True, "engine": matching.status()}


@router.post("/api/matching/learn", tags=["matching"],
             summary="Relearn the fusion weights from all accept/reject feedback (operators)")
def api_learn(matching: MatchingDep, actor: ActorDep) -> dict[str, Any]:
    """Fits weights on half of the judged demands, keeps them only if the other half does not get worse."""
    actor.require(Permission.MATCH_TUNE)
    report = matching.learn_weights()
    return {"ok": True, "report": report.as_dict(), "engine": matching.status()}
