//! The sign-in page: email and password; the server answers with the session cookie.
//! "Forgot your password?" asks for a link by email instead. A link with
//! `?invitation=<token>` (from an admin) shows "choose your password", one with
//! `?reset=<token>` (the mailed reset link) "choose a new password".

use openapi::auth::Me;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::{address, services::api};

#[derive(Properties, PartialEq)]
pub struct SignInProps {
    pub on_signed_in: Callback<Me>,
}

/// What the card shows.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Email and password.
    SignIn,
    /// The address to mail a reset link to.
    Forgot,
    /// A reset link was asked for.
    Sent,
    /// Choosing a password with an invitation's token.
    Invitation(String),
    /// Choosing a new password with a reset link's token.
    Reset(String),
}

impl Step {
    /// Each step's form is its own element: a password typed in one never shows in another.
    fn key(&self) -> &'static str {
        match self {
            Self::SignIn => "signin",
            Self::Forgot => "forgot",
            Self::Sent => "sent",
            Self::Invitation(_) => "invitation",
            Self::Reset(_) => "reset",
        }
    }

    /// What the submit button says while the request runs, and before.
    fn button(&self, busy: bool) -> &'static str {
        match (self, busy) {
            (Self::SignIn | Self::Invitation(_), true) => "Signing in…",
            (Self::SignIn, false) => "Sign in",
            (Self::Invitation(_), false) => "Set password and sign in",
            (Self::Forgot | Self::Sent, true) => "Sending…",
            (Self::Forgot | Self::Sent, false) => "Send me a link",
            (Self::Reset(_), true) => "Saving…",
            (Self::Reset(_), false) => "Set new password",
        }
    }
}

/// The first step: from the address bar's token, if any.
fn first_step() -> Step {
    match (address::param("invitation"), address::param("reset")) {
        (Some(token), _) => Step::Invitation(token),
        (None, Some(token)) => Step::Reset(token),
        (None, None) => Step::SignIn,
    }
}

#[function_component]
pub fn SignIn(props: &SignInProps) -> Html {
    let step = use_state(first_step);
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let notice = use_state(|| None::<&'static str>);
    let busy = use_state(|| false);
    // Nothing is unread for someone signed out.
    use_effect_with((), |_| crate::notify::set_title(0));
    let go = |next: Step| {
        let (step, error, notice) = (step.clone(), error.clone(), notice.clone());
        Callback::from(move |_: MouseEvent| {
            if matches!(*step, Step::Reset(_)) {
                address::clear();
            }
            error.set(None);
            notice.set(None);
            step.set(next.clone());
        })
    };
    let onsubmit = {
        let (email, password, error, busy) = (email.clone(), password.clone(), error.clone(), busy.clone());
        let (done, step, notice) = (props.on_signed_in.clone(), step.clone(), notice.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let email = email.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let password = password.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (error, busy, done, step, notice) =
                (error.clone(), busy.clone(), done.clone(), step.clone(), notice.clone());
            let current = (*step).clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                // `Some` with a session when signed in; `None` when done without one.
                let answer = match &current {
                    Step::SignIn => api::signin(email.trim(), &password).await.map(Some),
                    Step::Invitation(token) => api::accept_invitation(token, &password).await.map(Some),
                    Step::Forgot => api::request_password_reset(email.trim()).await.map(|()| None),
                    Step::Reset(token) => api::reset_password(token, &password).await.map(|()| None),
                    Step::Sent => Ok(None),
                };
                busy.set(false);
                match answer {
                    Ok(Some(session)) => {
                        if matches!(current, Step::Invitation(_)) {
                            address::clear();
                        }
                        done.emit(Me { agent: session.agent, workspace: session.workspace })
                    }
                    Ok(None) => {
                        error.set(None);
                        if matches!(current, Step::Reset(_)) {
                            address::clear();
                            notice.set(Some("Your password is changed: sign in with it."));
                            step.set(Step::SignIn);
                        } else {
                            step.set(Step::Sent);
                        }
                    }
                    Err(failure) => {
                        error.set(Some(if failure.status == 401 && current == Step::SignIn {
                            "That email and password do not match an active agent.".to_owned()
                        } else {
                            failure.message
                        }));
                    }
                }
            });
        })
    };
    let fields = match &*step {
        Step::SignIn => html! {
            <>
                <h1 id="signin-title">{ "Sign in to your inbox" }</h1>
                <p class="muted">{ "Answer your visitors in real time." }</p>
                if let Some(notice) = *notice { <p class="form-notice" role="status">{ notice }</p> }
                <label for="email">{ "Work email" }</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true ref={email} />
                <label for="password">{ "Password" }</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required=true ref={password} />
            </>
        },
        Step::Forgot => html! {
            <>
                <h1 id="signin-title">{ "Forgot your password?" }</h1>
                <p class="muted">{ "We will mail a link to choose a new one to the address you sign in with." }</p>
                <label for="email">{ "Work email" }</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true ref={email} />
            </>
        },
        Step::Sent => html! {
            <>
                <h1 id="signin-title">{ "Check your mail" }</h1>
                <p class="form-notice" role="status">
                    { "If an account uses this address, a link to choose a new password is on its way." }
                </p>
                <p class="muted">{ "The link works once, within an hour." }</p>
            </>
        },
        Step::Invitation(_) => html! {
            <>
                <h1 id="signin-title">{ "Welcome to the team" }</h1>
                <p class="muted">{ "Choose a password (at least 10 characters) to open your inbox." }</p>
                <label for="password">{ "New password" }</label>
                <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required=true ref={password} />
            </>
        },
        Step::Reset(_) => html! {
            <>
                <h1 id="signin-title">{ "Choose a new password" }</h1>
                <p class="muted">{ "At least 10 characters. Every browser signed in as you will be signed out." }</p>
                <label for="password">{ "New password" }</label>
                <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required=true ref={password} />
            </>
        },
    };
    // The way out of each step but the invitation's.
    let other = match &*step {
        Step::SignIn => Some(("Forgot your password?", "forgot-password", Step::Forgot)),
        Step::Forgot | Step::Sent => Some(("Back to sign in", "back-to-signin", Step::SignIn)),
        Step::Reset(_) => Some(("Ask for a new link", "new-reset-link", Step::Forgot)),
        Step::Invitation(_) => None,
    };
    html! {
        <main class="signin">
            <form class="signin-card" key={step.key()} {onsubmit} aria-labelledby="signin-title">
                <div class="brand brand-large"><span class="brand-mark" aria-hidden="true">{ "R" }</span>{ "Rapport" }</div>
                { fields }
                if let Some(error) = &*error { <p class="form-error" role="alert">{ error }</p> }
                if *step != Step::Sent {
                    <button type="submit" class="button primary wide" disabled={*busy}>{ step.button(*busy) }</button>
                }
                if let Some((label, action, next)) = other {
                    <button type="button" class="link-button signin-other" data-action={action} onclick={go(next)}>{ label }</button>
                }
            </form>
        </main>
    }
}
