"""Forms for user administration, password changes and two-factor codes: input validation only."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from bonehealth.accounts.lockout import authenticate_in_turn
from bonehealth.accounts.models import LabUnits, Site, User
from bonehealth.accounts.selectors import role_groups, sites_administered_by
from bonehealth.audit.forms import VersionedFormMixin
from bonehealth.audit.services import shortened


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
    """Roles, and the sites the acting administrator administers (the only ones they may grant)."""

    roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An administrator who is also a clinician needs both roles.",
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The sites you administer: you may grant only these.",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = role_groups()  # type: ignore[attr-defined]
        self.fields["sites"].queryset = sites_administered_by(user=actor)  # type: ignore[attr-defined]
        self.fields["roles"].label_from_instance = lambda group: group.name.capitalize()  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        # One mailbox, one account: an enrolment or reset link must reach one person only.
        email: str = self.cleaned_data.get("email") or ""
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and taken.exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email

    def profile_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("first_name", "last_name", "email")}

    @property
    def selected_roles(self) -> list[Group]:
        return list(self.cleaned_data["roles"])

    @property
    def selected_sites(self) -> list[Site]:
        return list(self.cleaned_data["sites"])


class UserCreateForm(_RolesAndSitesForm):
    """A new account; it gets no password here: an enrolment link goes to its e-mail address."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "The enrolment link to set a password is sent here."
        self.fields["sites"].required = True
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("username", "email"),
            _row("first_name", "last_name"),
            _row("roles", "sites"),
            Submit("save", "Create account and send the enrolment link"),
        )

    def clean_username(self) -> str:
        # "qa.nurse" and "QA.NURSE" would be two accounts that people cannot tell apart.
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "An account with this username already exists (usernames ignore capitals)."
            )
        return username

    def create_values(self) -> dict[str, Any]:
        return {"username": self.cleaned_data["username"], **self.profile_values()}


class UserUpdateForm(VersionedFormMixin, _RolesAndSitesForm):
    """Name, e-mail, roles and sites; one's own roles and sites are shown but locked.

    For a user who also works at sites the actor does not administer, only the actor's own sites
    stay editable: name, e-mail and roles apply at those other sites too. The form carries the
    account's version: a save after another administrator's change is refused and merged.
    """

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]

    def __init__(
        self, *args: Any, editing_self: bool = False, elsewhere: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        opened = self.initial_for(instance)
        self.fields["roles"].initial = opened["roles"]
        self.fields["sites"].initial = opened["sites"]
        self.add_version_field(instance.version)
        if editing_self:
            for name in ("roles", "sites"):
                self.fields[name].disabled = True
                self.fields[
                    name
                ].help_text = (
                    "You cannot change your own roles or sites; ask another administrator."
                )
        elif elsewhere:
            for name in ("first_name", "last_name", "email", "roles"):
                self.fields[name].disabled = True
            self.fields["roles"].help_text = (
                "This account also works at sites you do not administer: only their "
                "administrators, or a superuser, change its name, e-mail, roles or password."
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("first_name", "last_name"),
            "email",
            _row("roles", "sites"),
            HTML("{{ form.opened_choices }}"),
            "version",
            Submit("save", "Save"),
        )

    def initial_for(self, record: Any) -> dict[str, Any]:
        """The account's values as this form shows them: its sites only among the actor's."""
        administered = self.fields["sites"].queryset  # type: ignore[attr-defined]
        return {
            **super().initial_for(record),
            "roles": list(record.groups.all()),
            "sites": list(record.sites.filter(pk__in=administered)),
        }


class EnrolmentPasswordForm(SetPasswordForm):
    """Django's set-password form (the password twice, the validators), laid out with crispy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "new_password1", "new_password2", Submit("save", "Set my password")
        )

    def save(self, commit: bool = True) -> User:  # pragma: no cover - the service writes
        raise NotImplementedError("Use services.user_password_set.")


class UsernameLengthMixin:
    """For a login form (Django's `AuthenticationForm`): a username longer than an account's.

    Django sets the field's max_length after building it, so only the page's `maxlength` limited
    the name, and a name too long for django-axes's column failed the request (sec11 #3). No account
    has such a name: it is cut to the account length with `shortened`'s mark, which no username
    contains, and refused like any wrong login (counted toward the address's lockout, refused
    unchecked while it is paused, audited under the cut name).
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return shortened(username, self.fields["username"].max_length)  # type: ignore[attr-defined]


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    """Django's login form with the username's length checked, and the password checked in turn
    with the other attempts for the username (`authenticate_in_turn`), so that parallel attempts
    cannot pass the lockout (sec13 #1)."""

    @sensitive_variables("password")
    def clean(self) -> dict[str, Any]:
        # Django's `AuthenticationForm.clean`, with `authenticate_in_turn` for `authenticate`.
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate_in_turn(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (old password, new twice, the validators), laid out with crispy.

    The old password is checked as a login's is (`authenticate_in_turn`): a wrong one counts
    toward the user's lockout (django-axes) and is audited as a failed login; while the user or
    the address is paused none is checked (sec11 #2). The view signs such a session out.
    """

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "old_password", "new_password1", "new_password2", Submit("save", "Change password")
        )

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        checked = authenticate_in_turn(
            self.request,
            username=self.user.get_username(),
            password=old_password,
            # Named in the failure's audit row, as "turn two-factor off" is in that form's.
            step="change password",
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password

    def save(self, commit: bool = True) -> User:  # pragma: no cover - the service writes
        raise NotImplementedError("Use services.user_password_change.")


class OTPTokenForm(forms.Form):
    # The summary above a refused code (bonehealth/audit/templatetags/form_errors.py).
    error_summary_heading = "Code not accepted"

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


class SiteLabUnitsForm(forms.Form):
    """The units a site's lab results are shown in, for one of the sites the user administers.

    The site is a choice among `sites` like any other field, so an id that is not a number is
    refused as an unknown one is, not raised from the query.
    """

    site = forms.ModelChoiceField(queryset=Site.objects.none(), widget=forms.HiddenInput)
    lab_units = forms.ChoiceField(label="Lab units", choices=LabUnits.choices)

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
