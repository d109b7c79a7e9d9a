//! A site's business hours: openings per weekday (several a day for a break), holidays,
//! and the auto-reply visitors get outside them. Shows whether the site is open now.

use openapi::business_hours::{BusinessHours as Hours, BusinessHoursUpdate, Holiday, OpeningHours};
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::{
    app::use_ctx,
    clock::{full_time, millis},
    services::api,
};

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[derive(Properties, PartialEq)]
pub struct BusinessHoursProps {
    pub site_id: Uuid,
}

fn input_value(event: &InputEvent) -> String {
    event.target_unchecked_into::<HtmlInputElement>().value()
}

#[function_component]
pub fn BusinessHours(props: &BusinessHoursProps) -> Html {
    let ctx = use_ctx();
    let current = use_state(|| None::<Hours>);
    // The form's draft: what Save sends.
    let enabled = use_state(|| false);
    let hours = use_state(Vec::<OpeningHours>::new);
    let holidays = use_state(Vec::<Holiday>::new);
    let auto_reply = use_state(String::new);
    let (holiday_date, holiday_name) = (use_node_ref(), use_node_ref());
    {
        let (ctx, current, enabled, hours, holidays, auto_reply) =
            (ctx.clone(), current.clone(), enabled.clone(), hours.clone(), holidays.clone(), auto_reply.clone());
        use_effect_with(props.site_id, move |id| {
            let id = *id;
            wasm_bindgen_futures::spawn_local(async move {
                match api::business_hours(id).await {
                    Ok(found) => {
                        enabled.set(found.enabled);
                        hours.set(if found.hours.is_empty() { default_week() } else { found.hours.clone() });
                        holidays.set(found.holidays.clone());
                        auto_reply.set(found.auto_reply.clone());
                        current.set(Some(found));
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        });
    }
    let Some(now) = (*current).clone() else {
        return html! { <div class="card muted" aria-busy="true">{ "Loading business hours…" }</div> };
    };
    let onsubmit = {
        let (ctx, current, id) = (ctx.clone(), current.clone(), props.site_id);
        let update = BusinessHoursUpdate {
            enabled: *enabled,
            hours: (*hours).clone(),
            holidays: (*holidays).clone(),
            auto_reply: Some((*auto_reply).clone()),
        };
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (ctx, current, update) = (ctx.clone(), current.clone(), update.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::replace_business_hours(id, &update).await {
                    Ok(saved) => {
                        current.set(Some(saved));
                        ctx.toast("Business hours saved.");
                    }
                    Err(failure) => ctx.fail(failure),
                }
            });
        })
    };
    let on_enabled = {
        let enabled = enabled.clone();
        Callback::from(move |event: Event| enabled.set(event.target_unchecked_into::<HtmlInputElement>().checked()))
    };
    let days = (1..=7u8).map(|weekday| {
        let openings: Vec<(usize, OpeningHours)> =
            hours.iter().cloned().enumerate().filter(|(_, o)| o.weekday == weekday).collect();
        let rows = openings.iter().map(|(i, opening)| {
            let i = *i;
            let set = |field: fn(&mut OpeningHours, String)| {
                let hours = hours.clone();
                Callback::from(move |event: InputEvent| {
                    let mut next = (*hours).clone();
                    field(&mut next[i], input_value(&event));
                    hours.set(next);
                })
            };
            let remove = {
                let hours = hours.clone();
                Callback::from(move |_| {
                    let mut next = (*hours).clone();
                    next.remove(i);
                    hours.set(next);
                })
            };
            let (opens_id, closes_id) = (format!("opens-{i}"), format!("closes-{i}"));
            html! {
                <span class="opening" data-opening={weekday.to_string()}>
                    <label class="sr-only" for={opens_id.clone()}>{ format!("{} opens", WEEKDAYS[weekday as usize - 1]) }</label>
                    <input id={opens_id} type="time" value={opening.opens.clone()} oninput={set(|o, v| o.opens = v)} required=true />
                    { "–" }
                    <label class="sr-only" for={closes_id.clone()}>{ format!("{} closes", WEEKDAYS[weekday as usize - 1]) }</label>
                    <input id={closes_id} type="time" value={if opening.closes == "24:00" { "23:59".to_owned() } else { opening.closes.clone() }}
                        oninput={set(|o, v| o.closes = v)} required=true />
                    <button type="button" class="icon-button" aria-label={format!("Remove this opening on {}", WEEKDAYS[weekday as usize - 1])}
                        onclick={remove}>{ "×" }</button>
                </span>
            }
        });
        let add = {
            let hours = hours.clone();
            Callback::from(move |_| {
                let mut next = (*hours).clone();
                next.push(OpeningHours { weekday, opens: "09:00".into(), closes: "17:00".into() });
                hours.set(next);
            })
        };
        html! {
            <div class="day-row" data-weekday={weekday.to_string()}>
                <span class="day-name">{ WEEKDAYS[weekday as usize - 1] }</span>
                <span class="openings">
                    if openings.is_empty() { <span class="muted small">{ "Closed" }</span> }
                    { for rows }
                </span>
                <button type="button" class="link-button small" onclick={add}
                    aria-label={format!("Add an opening on {}", WEEKDAYS[weekday as usize - 1])}>{ "+ Hours" }</button>
            </div>
        }
    });
    let holiday_rows = holidays.iter().enumerate().map(|(i, h)| {
        let remove = {
            let holidays = holidays.clone();
            Callback::from(move |_| {
                let mut next = (*holidays).clone();
                next.remove(i);
                holidays.set(next);
            })
        };
        html! {
            <li data-holiday={h.date.to_string()}>
                <strong>{ h.date.format("%A %-d %B %Y").to_string() }</strong>
                if let Some(name) = &h.name { <span class="muted">{ format!(" · {name}") }</span> }
                <button type="button" class="icon-button" aria-label={format!("Remove the holiday of {}", h.date)} onclick={remove}>{ "×" }</button>
            </li>
        }
    });
    let add_holiday = {
        let (holidays, holiday_date, holiday_name) = (holidays.clone(), holiday_date.clone(), holiday_name.clone());
        Callback::from(move |_| {
            let date = holiday_date.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let name = holiday_name.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let Ok(date) = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") else { return };
            let mut next = (*holidays).clone();
            if !next.iter().any(|h| h.date == date) {
                next.push(Holiday { date, name: Some(name.trim().to_owned()).filter(|n| !n.is_empty()) });
                next.sort_by_key(|h| h.date);
            }
            holidays.set(next);
        })
    };
    let on_reply = {
        let auto_reply = auto_reply.clone();
        Callback::from(move |event: InputEvent| {
            auto_reply.set(event.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())
        })
    };
    let status = if !now.enabled {
        "Business hours are off: the site is open whenever an agent is online.".to_owned()
    } else if now.open_now {
        "Open now.".to_owned()
    } else {
        match now.next_open {
            Some(at) => format!("Closed now; opens {}.", full_time(millis(&at))),
            None => "Closed now.".to_owned(),
        }
    };
    html! {
        <form class="card stack" {onsubmit} aria-labelledby="hours-title" data-business-hours="">
            <div class="row-between">
                <h2 id="hours-title">{ "Business hours" }</h2>
                <span class={classes!("tag", now.open_now.then_some("tag-ok"))} data-open-now={now.open_now.to_string()}>{ status }</span>
            </div>
            <p class="muted small">{ format!("In the workspace's time zone, {}. Outside these hours the widget offers the offline form, and a visitor who writes gets the reply below.", now.time_zone) }</p>
            <label class="check"><input type="checkbox" checked={*enabled} onchange={on_enabled} data-setting="hours-enabled" />
                { "Use business hours" }</label>
            <fieldset class="week" disabled={!*enabled}>
                <legend class="sr-only">{ "Weekly hours" }</legend>
                { for days }
            </fieldset>
            <h3>{ "Holidays" }</h3>
            <ul class="holidays">{ for holiday_rows }</ul>
            <div class="inline-form">
                <label class="sr-only" for="holiday-date">{ "Date" }</label>
                <input id="holiday-date" type="date" ref={holiday_date} />
                <label class="sr-only" for="holiday-name">{ "Name" }</label>
                <input id="holiday-name" ref={holiday_name} placeholder="Christmas" maxlength="100" />
                <button type="button" class="button small" onclick={add_holiday} data-action="add-holiday">{ "Add holiday" }</button>
            </div>
            <label for="auto-reply">{ "Auto-reply outside hours" }</label>
            <textarea id="auto-reply" rows="3" value={(*auto_reply).clone()} oninput={on_reply} maxlength="1000"
                aria-describedby="auto-reply-help" />
            <p id="auto-reply-help" class="muted small"><code>{ "{{next_open}}" }</code>{ " becomes when you are back, like “Monday at 09:00 (Europe/Paris)”." }</p>
            <div class="form-actions"><button class="button primary" type="submit" data-action="save-hours">{ "Save business hours" }</button></div>
        </form>
    }
}

/// Monday to Friday, nine to five: where a new schedule starts.
fn default_week() -> Vec<OpeningHours> {
    (1..=5).map(|weekday| OpeningHours { weekday, opens: "09:00".into(), closes: "17:00".into() }).collect()
}
