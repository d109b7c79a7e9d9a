//! `/reports/…`: the figures of a range of days, as JSON or (tables) as CSV. The time
//! zone they count days in is set with `PATCH /workspace` (see `workspaces::api`).
//!
//! Every report takes the same query: `from` and `to` (`YYYY-MM-DD`, inclusive, in the
//! workspace's time zone; by default the last 7 days), and optional `site_id`, `team_id`
//! and `agent_id` filters on the conversations counted.

use openapi::reports::{AgentReport, BusiestHours, DailyReport, ReportSummary};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::Query,
    payload::{Json, PlainText},
};
use uuid::Uuid;

use super::{
    ReportQuery,
    csv::{Csv, opt},
    range::{Filters, Scope},
};
use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, state::AppState};

pub struct ReportsApi;

/// A report table as a CSV download.
#[derive(ApiResponse)]
enum CsvExport {
    /// The table as CSV (RFC 4180: header row first, CRLF line ends), offered as a file.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>, #[oai(header = "Content-Disposition")] String),
}

fn query(
    from: Query<Option<String>>,
    to: Query<Option<String>>,
    site_id: Query<Option<Uuid>>,
    team_id: Query<Option<Uuid>>,
    agent_id: Query<Option<Uuid>>,
    business_hours: Option<bool>,
) -> ReportQuery {
    ReportQuery {
        from: from.0,
        to: to.0,
        filters: Filters {
            site_id: site_id.0,
            team_id: team_id.0,
            agent_id: agent_id.0,
            business_hours: business_hours.unwrap_or(false),
        },
    }
}

fn download(table: &str, scope: &Scope, csv: Csv) -> CsvExport {
    let name = format!("attachment; filename=\"rapport-{table}-{}-to-{}.csv\"", scope.from, scope.to);
    CsvExport::Csv(PlainText(csv.finish()), name)
}

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[OpenApi(prefix_path = "/reports", tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Headline figures of a range
    ///
    /// Conversations started, answered, missed and waiting; first response, resolution
    /// and queue times (median and p90); messages per conversation; CSAT; and the
    /// distribution of first response times. Owners, admins and API keys only.
    #[oai(path = "/summary", method = "get", operation_id = "getReportSummary")]
    #[allow(clippy::too_many_arguments)]
    async fn summary(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only conversations routed to this team.
        team_id: Query<Option<Uuid>>,
        /// Only conversations assigned to this agent.
        agent_id: Query<Option<Uuid>>,
        /// Count first responses in business time: only while the conversation's site
        /// was open (sites without business hours count every minute).
        business_hours: Query<Option<bool>>,
    ) -> Result<Json<ReportSummary>, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, business_hours.0))
                .await?;
        Ok(Json(super::summary(&state.store, &scope).await?))
    }

    /// Figures per day
    ///
    /// Volume over time and the CSAT trend: one row per day, days without conversations
    /// included. Owners, admins and API keys only.
    #[oai(path = "/daily", method = "get", operation_id = "getDailyReport")]
    #[allow(clippy::too_many_arguments)]
    async fn daily(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only conversations routed to this team.
        team_id: Query<Option<Uuid>>,
        /// Only conversations assigned to this agent.
        agent_id: Query<Option<Uuid>>,
        /// Count first responses in business time: only while the conversation's site
        /// was open (sites without business hours count every minute).
        business_hours: Query<Option<bool>>,
    ) -> Result<Json<DailyReport>, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, business_hours.0))
                .await?;
        Ok(Json(super::daily(&state.store, &scope).await?))
    }

    /// Figures per day, as CSV
    ///
    /// Columns: `date`, `conversations_started`, `answered`, `missed`, `ratings`,
    /// `good_ratings`, `median_first_response_seconds` (empty when nothing was answered).
    #[oai(path = "/daily/csv", method = "get", operation_id = "exportDailyReport")]
    #[allow(clippy::too_many_arguments)]
    async fn daily_csv(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only conversations routed to this team.
        team_id: Query<Option<Uuid>>,
        /// Only conversations assigned to this agent.
        agent_id: Query<Option<Uuid>>,
        /// Count first responses in business time: only while the conversation's site
        /// was open (sites without business hours count every minute).
        business_hours: Query<Option<bool>>,
    ) -> Result<CsvExport, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, business_hours.0))
                .await?;
        let report = super::daily(&state.store, &scope).await?;
        let mut csv = Csv::new(&[
            "date",
            "conversations_started",
            "answered",
            "missed",
            "ratings",
            "good_ratings",
            "median_first_response_seconds",
        ]);
        for day in report.days {
            csv.row([
                day.date.to_string().as_str(),
                &day.conversations_started.to_string(),
                &day.answered.to_string(),
                &day.missed.to_string(),
                &day.ratings.to_string(),
                &day.good_ratings.to_string(),
                &opt(day.median_first_response_seconds),
            ]);
        }
        Ok(download("daily", &scope, csv))
    }

    /// Busiest hours
    ///
    /// Conversations started per weekday and hour, in the workspace's time zone: a 7 × 24
    /// matrix for a heat map. Owners, admins and API keys only.
    #[oai(path = "/busiest-hours", method = "get", operation_id = "getBusiestHours")]
    #[allow(clippy::too_many_arguments)]
    async fn busiest_hours(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only conversations routed to this team.
        team_id: Query<Option<Uuid>>,
        /// Only conversations assigned to this agent.
        agent_id: Query<Option<Uuid>>,
    ) -> Result<Json<BusiestHours>, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, None)).await?;
        Ok(Json(super::busiest_hours(&state.store, &scope).await?))
    }

    /// Busiest hours, as CSV
    ///
    /// One row per weekday (Monday first): `weekday`, then `h00` to `h23`.
    #[oai(path = "/busiest-hours/csv", method = "get", operation_id = "exportBusiestHours")]
    #[allow(clippy::too_many_arguments)]
    async fn busiest_hours_csv(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only conversations routed to this team.
        team_id: Query<Option<Uuid>>,
        /// Only conversations assigned to this agent.
        agent_id: Query<Option<Uuid>>,
    ) -> Result<CsvExport, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, None)).await?;
        let report = super::busiest_hours(&state.store, &scope).await?;
        let hours: Vec<String> = (0..24).map(|h| format!("h{h:02}")).collect();
        let mut header = vec!["weekday"];
        header.extend(hours.iter().map(String::as_str));
        let mut csv = Csv::new(&header);
        for (weekday, counts) in WEEKDAYS.iter().zip(&report.weekdays) {
            let counts: Vec<String> = counts.iter().map(u64::to_string).collect();
            csv.row(std::iter::once(*weekday).chain(counts.iter().map(String::as_str)));
        }
        Ok(download("busiest-hours", &scope, csv))
    }

    /// Figures per agent
    ///
    /// Every agent of the workspace (or of `team_id`, or just `agent_id`), by name:
    /// conversations handled, median first response, CSAT, time online and peak
    /// concurrent load. Owners, admins and API keys only.
    #[oai(path = "/agents", method = "get", operation_id = "getAgentReport")]
    #[allow(clippy::too_many_arguments)]
    async fn agents(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only the team's members, and conversations routed to the team.
        team_id: Query<Option<Uuid>>,
        /// Only this agent.
        agent_id: Query<Option<Uuid>>,
        /// Count first responses in business time: only while the conversation's site
        /// was open (sites without business hours count every minute).
        business_hours: Query<Option<bool>>,
    ) -> Result<Json<AgentReport>, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, business_hours.0))
                .await?;
        Ok(Json(super::agents(&state.store, &scope).await?))
    }

    /// Figures per agent, as CSV
    ///
    /// Columns: `agent_id`, `name`, `conversations_handled`,
    /// `median_first_response_seconds`, `ratings`, `good_ratings`, `good_share`,
    /// `online_seconds`, `peak_concurrent` (empty cells: nothing to measure).
    #[oai(path = "/agents/csv", method = "get", operation_id = "exportAgentReport")]
    #[allow(clippy::too_many_arguments)]
    async fn agents_csv(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        /// First day, `YYYY-MM-DD`, in the workspace's time zone (default: 6 days before `to`).
        from: Query<Option<String>>,
        /// Last day, inclusive (default: today); at most 366 days after `from`.
        to: Query<Option<String>>,
        /// Only conversations on this site.
        site_id: Query<Option<Uuid>>,
        /// Only the team's members, and conversations routed to the team.
        team_id: Query<Option<Uuid>>,
        /// Only this agent.
        agent_id: Query<Option<Uuid>>,
        /// Count first responses in business time: only while the conversation's site
        /// was open (sites without business hours count every minute).
        business_hours: Query<Option<bool>>,
    ) -> Result<CsvExport, ApiError> {
        let scope =
            super::scope(&state.store, auth.caller(), &query(from, to, site_id, team_id, agent_id, business_hours.0))
                .await?;
        let report = super::agents(&state.store, &scope).await?;
        let mut csv = Csv::new(&[
            "agent_id",
            "name",
            "conversations_handled",
            "replied",
            "resolved",
            "median_first_response_seconds",
            "ratings",
            "good_ratings",
            "good_share",
            "online_seconds",
            "peak_concurrent",
        ]);
        for agent in report.agents {
            csv.row([
                agent.agent_id.to_string().as_str(),
                &agent.name,
                &agent.conversations_handled.to_string(),
                &agent.replied.to_string(),
                &agent.resolved.to_string(),
                &opt(agent.median_first_response_seconds),
                &agent.csat.ratings.to_string(),
                &agent.csat.good.to_string(),
                &opt(agent.csat.good_share),
                &agent.online_seconds.to_string(),
                &agent.peak_concurrent.to_string(),
            ]);
        }
        Ok(download("agents", &scope, csv))
    }
}
