//! The sign-in page: email and password; the server answers with the session cookie.

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
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    // Nothing is unread for someone signed out.
    use_effect_with((), |_| crate::notify::set_title(0));
    let onsubmit = {
        let (email, password, error, busy) = (email.clone(), password.clone(), error.clone(), busy.clone());
        let done = props.on_signed_in.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let email = email.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let password = password.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (error, busy, done) = (error.clone(), busy.clone(), done.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::signin(email.trim(), &password).await {
                    Ok(session) => done.emit(Me { agent: session.agent, workspace: session.workspace }),
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
                <h1 id="signin-title">{ "Sign in to your inbox" }</h1>
                <p class="muted">{ "Answer your visitors in real time." }</p>
                <label for="email">{ "Work email" }</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true ref={email} />
                <label for="password">{ "Password" }</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required=true ref={password} />
                if let Some(error) = &*error { <p class="form-error" role="alert">{ error }</p> }
                <button type="submit" class="button primary wide" disabled={*busy}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        </main>
    }
}
