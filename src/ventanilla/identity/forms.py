from django.contrib.admin.forms import AdminAuthenticationForm

from ventanilla.core.fields import CuiFormField


class CuiAdminAuthenticationForm(AdminAuthenticationForm):
    """The staff sign-in, where the CUI may be typed as printed on the DPI."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        label = self.fields["username"].label
        self.fields["username"] = CuiFormField(label=label, max_length=13)
        self.fields["username"].widget.attrs.update({"autofocus": True})
