"""``Idempotency-Key`` on intake's POSTs: a retried POST returns the first answer, adds nothing."""

import hashlib
import json
from typing import Any

from pydantic import BaseModel

from shared.app.bootstrap import ServiceContext
from shared.eventstore.records import IdempotentAnswer
from shared.http import Invalid


class Idempotency:
    """``Idempotency-Key``: a retried POST returns the first answer and registers nothing new.

    A key is scoped to the token; the request's hash says whether a repeat is the same request.
    """

    def __init__(self, context: ServiceContext) -> None:
        self.store = context.store
        self.clock = context.clock

    @staticmethod
    def request_hash(body: BaseModel) -> str:
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def stored(self, token_id: str, key: str, request_hash: str) -> dict[str, Any] | None:
        earlier = self.store.idempotent_answer(token_id, key)
        if earlier is None:
            return None
        if earlier.request_hash != request_hash:
            raise Invalid({"Idempotency-Key": "already used for a different request"},
                          "Idempotency-Key: reused with a different body")
        return earlier.response

    def row(self, token_id: str, key: str, request_hash: str,
            response: dict[str, Any]) -> IdempotentAnswer:
        """The first answer, recorded with the request's events at the service's time."""
        return IdempotentAnswer(token_id=token_id, key=key, request_hash=request_hash,
                                response=response, created_at=self.clock.now())
