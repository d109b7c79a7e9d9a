//! The pre-chat form: what a site asks of a visitor (name, email) before the first
//! message, checked when the visitor starts a conversation.

use openapi::{sites::PrechatField, visitors::VisitorUpdate};

use crate::{
    error::ApiError,
    input::{self, Email},
    sites::SiteRow,
};

/// The visitor's answers to the form, parsed against the site's settings: a field the
/// site requires must be there (400 `prechat_required`, naming the field); a field that
/// is there must be well-formed (422 `invalid_input`). Blank answers count as absent.
pub fn parse(site: &SiteRow, name: Option<&str>, email: Option<&str>) -> Result<VisitorUpdate, ApiError> {
    let (name_field, email_field) = site.prechat();
    let given = |raw: Option<&str>| raw.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let (name, email) = (given(name), given(email));
    for (field, setting, value) in [("name", name_field, &name), ("email", email_field, &email)] {
        if setting == PrechatField::Required && value.is_none() {
            return Err(ApiError::bad_request(
                "prechat_required",
                format!("this site asks for the visitor's {field} before the chat starts"),
                field,
            ));
        }
    }
    let name = name.map(|n| input::name("name", &n, 100)).transpose().map_err(ApiError::from)?;
    let email =
        email.map(|e| Email::parse("email", &e).map(|e| e.as_str().to_owned())).transpose().map_err(ApiError::from)?;
    Ok(VisitorUpdate { name, email, attributes: None })
}

/// Whether the form gave anything to store.
pub fn is_empty(update: &VisitorUpdate) -> bool {
    update.name.is_none() && update.email.is_none()
}
