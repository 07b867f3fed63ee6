"""Forms for user administration, password changes and two-factor codes: input validation only."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.models import Group

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import role_groups


def _row(*names: str) -> Div:
    return Div(*[Div(name, css_class="col-md") for name in names], css_class="row")


class UserSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(
        required=False,
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "All")],
        initial="active",
    )


class _RolesAndSitesForm(forms.ModelForm[User]):
    roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An administrator who is also a clinician needs both roles.",
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = role_groups()  # type: ignore[attr-defined]
        self.fields["sites"].queryset = Site.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["roles"].label_from_instance = lambda group: group.name.capitalize()  # type: ignore[attr-defined]

    def profile_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("first_name", "last_name", "email")}

    @property
    def selected_roles(self) -> list[Group]:
        return list(self.cleaned_data["roles"])

    @property
    def selected_sites(self) -> list[Site]:
        return list(self.cleaned_data["sites"])


def _check_optional_password_pair(form: forms.BaseForm, *, user: User) -> None:
    """An optional password typed twice: both alike, and passing the validators for `user`.

    Left empty, the caller generates a temporary password instead.
    """
    first: str = form.cleaned_data.get("password1") or ""
    second: str = form.cleaned_data.get("password2") or ""
    if not (first or second):
        return
    if first != second:
        form.add_error("password2", "The two passwords differ.")
        return
    try:
        password_validation.validate_password(first, user)
    except forms.ValidationError as error:
        form.add_error("password1", error)


class UserCreateForm(_RolesAndSitesForm):
    """A new account; without a typed password a temporary one is generated and shown once."""

    password1 = forms.CharField(
        label="Initial password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to generate a temporary password. "
        + password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Initial password again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("username", "email"),
            _row("first_name", "last_name"),
            _row("roles", "sites"),
            _row("password1", "password2"),
            Submit("save", "Create account"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        candidate = User(
            username=cleaned.get("username", ""),
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
            email=cleaned.get("email", ""),
        )
        _check_optional_password_pair(self, user=candidate)
        return cleaned

    def create_values(self) -> dict[str, Any]:
        return {"username": self.cleaned_data["username"], **self.profile_values()}


class UserUpdateForm(_RolesAndSitesForm):
    """Name, e-mail, roles and sites; one's own roles and sites are shown but locked."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]

    def __init__(self, *args: Any, editing_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["roles"].initial = list(instance.groups.all())
        self.fields["sites"].initial = list(instance.sites.all())
        if editing_self:
            for name in ("roles", "sites"):
                self.fields[name].disabled = True
                self.fields[
                    name
                ].help_text = (
                    "You cannot change your own roles or sites; ask another administrator."
                )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("first_name", "last_name"),
            "email",
            _row("roles", "sites"),
            Submit("save", "Save"),
        )


class AdminPasswordResetForm(forms.Form):
    """Generate a temporary password, or type one; either way the user must change it."""

    password1 = forms.CharField(
        label="New temporary password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to generate one. "
        + password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("password1", "password2"), Submit("reset", "Reset password")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_optional_password_pair(self, user=self.user)
        return cleaned


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (old password, new twice, the validators), laid out with crispy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "old_password", "new_password1", "new_password2", Submit("save", "Change password")
        )

    def save(self, commit: bool = True) -> User:  # pragma: no cover - the service writes
        raise NotImplementedError("Use services.user_password_change.")


class OTPTokenForm(forms.Form):
    token = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6-digit code."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, submit_label: str = "Verify", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("token", Submit("verify", submit_label))

    @property
    def token_value(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class ConfirmForm(forms.Form):
    """An empty form for POST-only actions (deactivate, reactivate, turn two-factor off)."""


class TwoFactorOffForm(forms.Form):
    """The current password and a current code, asked before two-factor is turned off."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6-digit code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "accounts:two_factor_disable"
        self.helper.layout = Layout(
            "password",
            "token",
            Submit(
                "turn_off",
                "Turn off two-factor authentication",
                field_classes="btn btn-outline-danger",
            ),
        )

    @property
    def token_value(self) -> str:
        return str(self.cleaned_data["token"]).strip()
