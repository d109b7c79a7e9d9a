//! The sign-in page: email and password; the server answers with the session cookie. A
//! link with `?invitation=<token>` (from an admin) shows "choose your password" instead.

use openapi::auth::Me;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::services::api;

#[derive(Properties, PartialEq)]
pub struct SignInProps {
    pub on_signed_in: Callback<Me>,
}

#[function_component]
pub fn SignIn(props: &SignInProps) -> Html {
    let invitation = use_memo((), |_| invitation_token());
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    // Nothing is unread for someone signed out.
    use_effect_with((), |_| crate::notify::set_title(0));
    let onsubmit = {
        let (email, password, error, busy) = (email.clone(), password.clone(), error.clone(), busy.clone());
        let (done, invitation) = (props.on_signed_in.clone(), invitation.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let email = email.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let password = password.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (error, busy, done, invitation) = (error.clone(), busy.clone(), done.clone(), invitation.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match &*invitation {
                    Some(token) => api::accept_invitation(token, &password).await,
                    None => api::signin(email.trim(), &password).await,
                };
                match answer {
                    Ok(session) => {
                        if invitation.is_some() {
                            forget_invitation();
                        }
                        done.emit(Me { agent: session.agent, workspace: session.workspace })
                    }
                    Err(failure) => {
                        error.set(Some(if failure.status == 401 {
                            "That email and password do not match an active agent.".to_owned()
                        } else {
                            failure.message
                        }));
                        busy.set(false);
                    }
                }
            });
        })
    };
    html! {
        <main class="signin">
            <form class="signin-card" {onsubmit} aria-labelledby="signin-title">
                <div class="brand brand-large"><span class="brand-mark" aria-hidden="true">{ "R" }</span>{ "Rapport" }</div>
                if invitation.is_some() {
                    <h1 id="signin-title">{ "Welcome to the team" }</h1>
                    <p class="muted">{ "Choose a password (at least 10 characters) to open your inbox." }</p>
                    <label for="password">{ "New password" }</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required=true ref={password} />
                } else {
                    <h1 id="signin-title">{ "Sign in to your inbox" }</h1>
                    <p class="muted">{ "Answer your visitors in real time." }</p>
                    <label for="email">{ "Work email" }</label>
                    <input id="email" name="email" type="email" autocomplete="username" required=true ref={email} />
                    <label for="password">{ "Password" }</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required=true ref={password} />
                }
                if let Some(error) = &*error { <p class="form-error" role="alert">{ error }</p> }
                <button type="submit" class="button primary wide" disabled={*busy}>
                    { match (*busy, invitation.is_some()) {
                        (true, _) => "Signing in…",
                        (false, true) => "Set password and sign in",
                        (false, false) => "Sign in",
                    } }
                </button>
            </form>
        </main>
    }
}

/// The invitation token of an invitation link (`/console/?invitation=…`).
fn invitation_token() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("invitation").filter(|t| !t.is_empty())
}

/// Takes the used token out of the address bar (a reload must not try it again).
fn forget_invitation() {
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/console/"));
    }
}
