"""The decisions app's error codes and the errors that carry them."""

from enum import StrEnum

from core.errors import ConflictError, NotFoundError


class DecisionErrorCode(StrEnum):
    DECISION_NOT_FOUND = "decision_not_found"
    NOT_REPLAYABLE = "not_replayable"
    SIMULATION_NOT_FOUND = "simulation_not_found"


class DecisionNotFound(NotFoundError):
    code = DecisionErrorCode.DECISION_NOT_FOUND

    def __init__(self, decision_id: int) -> None:
        super().__init__(f"No decision with id {decision_id}.")


class NotReplayable(ConflictError):
    code = DecisionErrorCode.NOT_REPLAYABLE

    def __init__(self, decision_id: int) -> None:
        super().__init__(
            f"Decision {decision_id} was recorded before decisions kept what they were made "
            "from; it cannot be replayed."
        )


class SimulationNotFound(NotFoundError):
    code = DecisionErrorCode.SIMULATION_NOT_FOUND

    def __init__(self, simulation_id: int) -> None:
        super().__init__(f"No policy simulation {simulation_id}.")
