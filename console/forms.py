"""The console's forms: what each page takes, with its errors shown beside the fields.

A form that the API also takes (registering, an application, a payment, an upload, a policy
draft) is validated by the API's own declaration of that input (core.contract), so a page
accepts exactly what the endpoint accepts, with the same messages. The Django fields carry the
labels, widgets and the browser's hints. The domain's refusals (a phone number taken, a payment
over the payoff quote) land beside the field they name too.
"""

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar

from django import forms

from console.templatetags.figures import day, rupees
from core.auth import Role
from core.contract import Declaration, InvalidInput, parse
from core.converters import IdConverter
from core.errors import ApiError, NotFoundError
from core.limits import LARGEST_ID
from credit.limits import MAX_RATE, MAX_TENURE_MONTHS, MIN_RATE, MIN_TENURE_MONTHS
from credit.policy import percent_of, share_of
from credit.scoring import Factor
from customers.contracts import RegisterInput
from customers.limits import MAX_AGE, MAX_MONTHLY_SALARY, MAX_NAME_LENGTH, MIN_AGE
from decisions.contracts import LoanApplicationInput, SimulationInput
from decisions.models import DecisionKind
from ingestion.contracts import ApplyPreviewInput, IngestInput
from loans.contracts import (
    SEARCH_LENGTH,
    LateBucket,
    LoanSort,
    NoteInput,
    PaymentInput,
    PayoffQuery,
    PromiseInput,
    ReversalInput,
    ShownBucket,
)
from loans.errors import RefusedByTheLoan
from loans.models import (
    NOTE_LENGTH,
    REFERENCE_LENGTH,
    REVERSAL_REASON_LENGTH,
    LoanStatus,
    PaymentMode,
)
from people.contracts import (
    PASSWORD_LENGTH,
    USERNAME_LENGTH,
    PasswordInput,
    PersonInput,
    RolesInput,
)
from policies.contracts import DraftInput
from policies.parameters import (
    PolicyParameters,
    RateFloorParameters,
    in_percent,
    label,
    percent_refusal,
)
from policies.services import merged

MONEY_STEP = "0.01"


def number(**attrs: Any) -> forms.NumberInput:
    """A field typed as a number in the browser and read as text by the declaration (which
    takes ASCII digits only, as the API does)."""
    return forms.NumberInput(attrs={"step": MONEY_STEP, **attrs})


def whole_number(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "1", **attrs})


def id_in_query(query: Mapping[str, str], name: str) -> int | None:
    """The id `name` of a page's query, read as a path's id is (ASCII digits, 1 to LARGEST_ID);
    None when absent. A value that is no id names nothing: NotFoundError, the 404 page."""
    raw = query.get(name) or ""
    if not raw:
        return None
    if re.fullmatch(IdConverter.regex, raw):
        with suppress(ValueError):
            return IdConverter().to_python(raw)
    raise NotFoundError(f"No {name} {raw[:40]!r}.")


class Rejected(Exception):
    """The form's input was refused; its errors are on the form."""


class DeclaredForm(forms.Form):
    """A form validated by `declaration`. Empty fields count as not given; `fixed` adds
    values that come from the page, not the person (the customer of an application)."""

    declaration: ClassVar[type[Declaration]]

    def __init__(self, *args: Any, fixed: Mapping[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fixed = dict(fixed or {})
        self.declared: Any = None

    def declared_input(self) -> dict[str, Any]:
        """The values as the declaration reads them."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name != "form_key"
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.declared = parse(self.declaration, {**self.declared_input(), **self.fixed})
        except InvalidInput as invalid:
            self.show_errors(invalid.fields)
        return cleaned

    def field_for(self, name: str) -> str | None:
        """The form field an error about the declaration's `name` belongs beside."""
        return name if name in self.fields else None

    def show_errors(self, fields: Mapping[str, list[str]], message: str = "") -> None:
        if not fields and message:
            self.add_error(None, dates_written(message))
        for name, messages in fields.items():
            target = self.field_for(name)
            if target is not None and target in self.errors:
                continue  # the field's own check already said why
            for text in messages:
                self.add_error(target, dates_written(text))


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_written(text: str) -> str:
    """The API's dates in a message (2026-06-16, as the contract writes them) as the console
    writes dates (16 Jun 2026); anything that is not a date of the calendar stays as it is."""

    def written(found: re.Match[str]) -> str:
        try:
            return day(date(*(int(part) for part in found.groups())))
        except ValueError:
            return found.group()

    return ISO_DATE.sub(written, text)


@contextmanager
def refusals_on(form: DeclaredForm) -> Iterator[None]:
    """A service's refusal (InvalidInput, an ApiError) as the form's errors, then Rejected."""
    try:
        yield
    except InvalidInput as invalid:
        form.show_errors(invalid.fields)
        raise Rejected from invalid
    except ApiError as refused:
        form.show_errors(_in_console_format(refused), refused.message)
        raise Rejected from refused


def _in_console_format(refused: ApiError) -> dict[str, list[str]]:
    """The refusal's field messages, with sums and dates in the console's format where the
    refusal keeps them apart from its sentence (₹ 2,33,271.68 on 07 Dec 2026)."""
    if isinstance(refused, RefusedByTheLoan):
        return {refused.problem.field: [refused.problem.describe(rupees, day)]}
    return refused.fields


Result = TypeVar("Result")


def attempt(form: DeclaredForm, action: Callable[[], Result]) -> Result | None:
    """What `action` returns, or None with its refusal on the form."""
    try:
        with refusals_on(form):
            return action()
    except Rejected:
        return None


class SubmittedOnce(forms.Form):
    """A form whose work is done once however often it is sent: its key is new each time the
    page renders it (console.views.submit.submit_once)."""

    form_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


# --- Customers ------------------------------------------------------------------------------


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label="Search customers",
        required=False,
        max_length=MAX_NAME_LENGTH,
        widget=forms.SearchInput(
            attrs={"placeholder": "Name, phone, customer id or loan number", "autofocus": True}
        ),
    )


class RegisterForm(SubmittedOnce, DeclaredForm):
    declaration = RegisterInput

    first_name = forms.CharField(label="First name", max_length=MAX_NAME_LENGTH)
    last_name = forms.CharField(label="Last name", max_length=MAX_NAME_LENGTH)
    age = forms.CharField(label="Age", widget=whole_number(min=MIN_AGE, max=MAX_AGE))
    monthly_income = forms.CharField(
        label="Monthly income", widget=whole_number(min=1, max=MAX_MONTHLY_SALARY)
    )
    phone_number = forms.CharField(
        label="Phone number",
        help_text="10 digits; +91, spaces and dashes are fine.",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


# --- Applications and loans -----------------------------------------------------------------


class ApplicationForm(SubmittedOnce, DeclaredForm):
    declaration = LoanApplicationInput

    loan_amount = forms.CharField(label="Loan amount", widget=number(min=MONEY_STEP))
    interest_rate = forms.CharField(
        label="Interest rate", widget=number(min=MIN_RATE, max=MAX_RATE)
    )
    tenure = forms.CharField(
        label="Tenure (months)",
        widget=whole_number(min=MIN_TENURE_MONTHS, max=MAX_TENURE_MONTHS),
    )


class PaymentForm(SubmittedOnce, DeclaredForm):
    declaration = PaymentInput

    amount = forms.CharField(label="Amount", widget=number(min=MONEY_STEP))
    paid_on = forms.CharField(
        label="Paid on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(
        label="Mode", required=False, choices=[("", "Not said"), *PaymentMode.choices]
    )
    reference = forms.CharField(
        label="Reference",
        required=False,
        max_length=REFERENCE_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "UTR or cheque no."}),
    )


class NoteForm(SubmittedOnce, DeclaredForm):
    declaration = NoteInput

    text = forms.CharField(
        label="Note",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Called; salary due on the 5th"}),
    )


class PromiseForm(SubmittedOnce, DeclaredForm):
    declaration = PromiseInput

    promised_on = forms.CharField(
        label="Promised date", widget=forms.DateInput(attrs={"type": "date"})
    )
    promised_amount = forms.CharField(label="Promised amount", widget=number(min=MONEY_STEP))


class ReversalForm(SubmittedOnce, DeclaredForm):
    declaration = ReversalInput

    reason = forms.CharField(label="Reason", max_length=REVERSAL_REASON_LENGTH)


class CollectionsFilterForm(forms.Form):
    bucket = forms.ChoiceField(
        label="Bucket",
        required=False,
        choices=[("", "Every bucket"), *((bucket.value, bucket.value) for bucket in LateBucket)],
    )


class LoanSearchForm(forms.Form):
    """The loans worklist's search and filters: the values GET /loans takes."""

    q = forms.CharField(
        label="Search loans",
        required=False,
        max_length=SEARCH_LENGTH,
        widget=forms.SearchInput(
            attrs={"placeholder": "Loan number, customer name or phone", "autofocus": True}
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *LoanStatus.choices]
    )
    bucket = forms.ChoiceField(
        label="Bucket",
        required=False,
        choices=[("", "Every bucket"), *((bucket.value, bucket.value) for bucket in ShownBucket)],
    )
    sort = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[
            ("", "Newest first"),
            (LoanSort.MOST_DAYS_PAST_DUE_FIRST.value, "Most days past due first"),
            (LoanSort.FEWEST_DAYS_PAST_DUE_FIRST.value, "Fewest days past due first"),
        ],
    )


class PayoffForm(DeclaredForm):
    declaration = PayoffQuery

    on = forms.CharField(
        label="Quote for", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- Decisions ------------------------------------------------------------------------------

APPROVED, REFUSED = "approved", "refused"


class DecisionFilterForm(forms.Form):
    customer = forms.IntegerField(
        label="Customer id", required=False, min_value=1, max_value=LARGEST_ID
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *DecisionKind.choices]
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Any outcome"), (APPROVED, "Approved"), (REFUSED, "Refused")],
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since: date | None = cleaned.get("since")
        until: date | None = cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "Must not be before the start of the period.")
        return cleaned

    def approved(self) -> bool | None:
        outcome = self.cleaned_data.get("outcome")
        return None if not outcome else outcome == APPROVED


# --- Ingestion ------------------------------------------------------------------------------


class UploadForm(SubmittedOnce, DeclaredForm):
    declaration = IngestInput

    customers = forms.FileField(
        label="Customers file (customer_data.xlsx)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    loans = forms.FileField(
        label="Loans file (loan_data.xlsx)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    # Set by the Preview button: the job says what the upload would do and writes nothing.
    dry_run = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ApplyPreviewForm(SubmittedOnce, DeclaredForm):
    declaration = ApplyPreviewInput


# --- Policies -------------------------------------------------------------------------------

SLAB_ROWS = 5
# The draft's parameters of one value each, in the form's order, and how each is typed; their
# labels are the declaration's (policies.parameters), a share's unit is percent.
SCALARS: dict[str, forms.Widget] = {
    "minimum_score": whole_number(min=0, max=100),
    "max_emi_share_of_salary": number(min=MONEY_STEP, max=100),
    "completed_loans_for_full_marks": whole_number(min=1),
    "loans_this_year_to_lose_all": whole_number(min=1),
    "limit_multiplier": number(min=MONEY_STEP),
    "limit_rounding": whole_number(min=1),
}
# Optional: a blank step keeps the base version's; a blank age is no cap.
OPTIONAL_SCALARS: dict[str, forms.Widget] = {
    "counter_offer_step": whole_number(min=1),
    "max_age_at_maturity": whole_number(min=18, max=130),
}
OPTIONAL_HELP = {
    "counter_offer_step": "Blank: the base version's.",
    "max_age_at_maturity": "Blank: no cap.",
}
PERCENT_HELP = "In percent: 40 means 40%."


def _as_share(typed: Any) -> Any:
    """A percent typed as a number, as the fraction the declaration takes; anything else as
    typed, for the declaration to refuse."""
    try:
        percent = Decimal(str(typed).strip())
    except InvalidOperation:
        return typed
    return share_of(percent) if percent.is_finite() else typed


class PolicyDraftForm(SubmittedOnce, DeclaredForm):
    """Every parameter of a version, flat: four weights, the scalars, and up to SLAB_ROWS
    slabs (blank rows are left out). A share is typed in percent. Every error shows at once:
    the declaration's field by field and, over `base` (the version the draft starts from or
    is), the rules between parameters; `warnings` says what passes but looks unmeant."""

    declaration = DraftInput

    def __init__(self, *args: Any, base: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = dict(base)
        self.warnings = {} if self.is_bound else PolicyParameters.model_validate(base).warnings()
        self.typed_in_percent: set[str] = set()
        for factor in Factor:
            self.fields[f"weight_{factor}"] = forms.CharField(
                label=label(f"weights.{factor}"), widget=number(min=0, max=100)
            )
        for name, widget in SCALARS.items():
            self.fields[name] = forms.CharField(
                label=label(name),
                widget=widget,
                help_text=PERCENT_HELP if in_percent(name) else "",
            )
        for name, widget in OPTIONAL_SCALARS.items():
            self.fields[name] = forms.CharField(
                label=label(name), widget=widget, required=False, help_text=OPTIONAL_HELP[name]
            )
        score_title, rate_title = (
            RateFloorParameters.model_fields[name].title for name in ("min_score", "min_rate")
        )
        for row in range(SLAB_ROWS):
            self.fields[f"slab_{row}_min_score"] = forms.CharField(
                label=f"Slab {row + 1}: {score_title}",
                required=False,
                widget=whole_number(min=0, max=100),
            )
            self.fields[f"slab_{row}_min_rate"] = forms.CharField(
                label=f"Slab {row + 1}: {rate_title}",
                required=False,
                widget=number(min=0, max=100),
            )

    @staticmethod
    def initial_from(parameters: Mapping[str, Any]) -> dict[str, Any]:
        """A stored version's parameters as the form's fields (a share in percent)."""
        initial: dict[str, Any] = {
            f"weight_{factor}": parameters["weights"][str(factor)] for factor in Factor
        }
        for name in SCALARS:
            stored = parameters[name]
            initial[name] = percent_of(Decimal(stored)) if in_percent(name) else stored
        initial.update({name: parameters.get(name) for name in OPTIONAL_SCALARS})
        for row, slab in enumerate(parameters["rate_floors"][:SLAB_ROWS]):
            initial[f"slab_{row}_min_score"] = slab["min_score"]
            initial[f"slab_{row}_min_rate"] = slab["min_rate"]
        return initial

    def scalar_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*SCALARS, *OPTIONAL_SCALARS)]

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{factor}"] for factor in Factor]

    def slab_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"slab_{row}_min_score"], self[f"slab_{row}_min_rate"])
            for row in range(SLAB_ROWS)
        ]

    def declared_input(self) -> dict[str, Any]:
        values = super().declared_input()
        slabs = []
        for row in range(SLAB_ROWS):
            score = values.pop(f"slab_{row}_min_score", None)
            rate = values.pop(f"slab_{row}_min_rate", None)
            if score is not None or rate is not None:
                slabs.append({"min_score": score, "min_rate": rate})
        weights = {str(factor): values.pop(f"weight_{factor}", None) for factor in Factor}
        for name in SCALARS:
            if in_percent(name) and name in values:
                values[name] = _as_share(values[name])
                if not isinstance(values[name], str):
                    self.typed_in_percent.add(name)
        return {**values, "weights": weights, "rate_floors": slabs}

    def clean(self) -> dict[str, Any]:
        """The declaration's errors, then those of the rules between parameters (weights adding
        up to 100, slabs in order, the minimum score within them) over the base: all at once."""
        cleaned = super().clean()
        candidate = attempt(self, lambda: merged(self.base, self.declared_input()))
        self.warnings = candidate.warnings() if candidate is not None else {}
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The declared parameters, as create_draft and update_draft take them."""
        changes: dict[str, Any] = self.declared.changes()
        # The form shows every parameter, so a blank age is "no cap" (the API's null keeps
        # the base version's).
        changes.setdefault("max_age_at_maturity", None)
        return changes

    def show_errors(self, fields: Mapping[str, list[str]], message: str = "") -> None:
        """A share typed as a number that is refused is refused in percent ("at most 100%");
        an error about a whole group, shown above the form, is led by the group's label."""
        said = {name: self._in_words(name, texts) for name, texts in fields.items()}
        super().show_errors(said, message)

    def _in_words(self, name: str, texts: list[str]) -> list[str]:
        if name in self.typed_in_percent:
            return [percent_refusal(name)]
        if self.field_for(name) is None:
            return [f"{label(name)}: {text}" for text in texts]
        return texts

    def field_for(self, name: str) -> str | None:
        parts = name.split(".")
        if parts[0] == "weights" and len(parts) == 2:
            return f"weight_{parts[1]}"
        if parts[0] == "rate_floors" and len(parts) == 3:
            return f"slab_{parts[1]}_{parts[2]}"
        if parts[0] in ("weights", "rate_floors"):
            return None  # about the whole group: shown above the form
        return super().field_for(name)


class PolicyPairForm(forms.Form):
    """Two versions to compare side by side."""

    left = forms.TypedChoiceField(label="Version", coerce=int)
    right = forms.TypedChoiceField(label="Compared with", coerce=int)

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(version, f"Version {version}") for version in versions]
        for name in ("left", "right"):
            field: Any = self.fields[name]
            field.choices = choices


class ReplayForm(forms.Form):
    policy = forms.TypedChoiceField(
        label="Replay under version", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["policy"]
        field.choices = [("", "The recorded version")] + [
            (version, f"Version {version}") for version in versions
        ]


class SimulationForm(SubmittedOnce, DeclaredForm):
    """A candidate version and the window of recorded decisions it decides again."""

    declaration = SimulationInput

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"] = forms.ChoiceField(
            label="Candidate version",
            choices=[(version, f"Version {version}") for version in versions],
        )
        self.fields["from"] = forms.CharField(
            label="Decisions from", widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.CharField(
            label="Decisions to", widget=forms.DateInput(attrs={"type": "date"})
        )


# --- People ---------------------------------------------------------------------------------


class RolesForm(DeclaredForm):
    declaration: ClassVar[type[Declaration]] = RolesInput

    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[(str(role), str(role)) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )


def password_field(label: str) -> forms.CharField:
    """Typed by an admin and handed over: never shown again once sent."""
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_LENGTH,
        help_text="Long, uncommon, not only digits, unlike the username: hand it over in person.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordForm(DeclaredForm):
    declaration = PasswordInput

    password = password_field("New password")


class PersonForm(SubmittedOnce, RolesForm):
    declaration = PersonInput

    username = forms.CharField(
        label="Username",
        max_length=USERNAME_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password = password_field("First password")
    field_order = ["username", "roles", "password"]
