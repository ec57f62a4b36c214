//! Agents: the helpdesk staff who sign in to Orgdesk. Rules for names, roles
//! and passwords, shared by the admin form (instant feedback) and the server.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::CreateAgentRequest;
use crate::email::Email;
use crate::word::Word;
use crate::FieldErrors;

/// What an agent may do. Admins manage agents and settings; agents do the daily work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Agent,
}

/// Decoding a stored role: unknown text is an error, never a default.
impl TryFrom<String> for Role {
    type Error = crate::word::UnknownWord;

    fn try_from(word: String) -> Result<Role, Self::Error> {
        Role::decode(&word)
    }
}

impl Word for Role {
    const ALL: &'static [Role] = &[Role::Admin, Role::Agent];

    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;
pub const MAX_NAME_LEN: usize = 120;

/// A display name: trimmed, 1 to 120 characters, no control characters.
pub fn parse_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err("A name has at most 120 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok(name.to_string())
}

/// Passwords: long enough to resist guessing, short enough to hash cheaply.
pub fn check_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!("Use at least {MIN_PASSWORD_LEN} characters."));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(format!("Use at most {MAX_PASSWORD_LEN} characters."));
    }
    if password.trim().is_empty() {
        return Err("A password cannot be only spaces.".into());
    }
    Ok(())
}

/// A new agent whose every field passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgent {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// Checks every field of a create-agent request and reports all problems at once.
pub fn validate_new_agent(req: &CreateAgentRequest) -> Result<NewAgent, FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&req.email).map_err(|e| errors.insert("email".into(), e.to_string())).ok();
    let name = parse_name(&req.name).map_err(|e| errors.insert("name".into(), e.into())).ok();
    if let Err(e) = check_password(&req.password) {
        errors.insert("password".into(), e);
    }
    match (email, name) {
        (Some(email), Some(name)) if errors.is_empty() => {
            Ok(NewAgent { email, name, role: req.role, password: req.password.clone() })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(email: &str, name: &str, password: &str) -> CreateAgentRequest {
        CreateAgentRequest { email: email.into(), name: name.into(), role: Role::Agent, password: password.into() }
    }

    #[test]
    fn a_valid_request_is_normalized() {
        let agent = validate_new_agent(&req(" Bo@Example.com ", "  Bo Diaz ", "correct horse")).unwrap();
        assert_eq!(agent.email.as_str(), "bo@example.com");
        assert_eq!(agent.name, "Bo Diaz");
        assert_eq!(agent.role, Role::Agent);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = validate_new_agent(&req("nope", "   ", "short")).unwrap_err();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["email", "name", "password"]);
    }

    #[test]
    fn password_rules() {
        assert!(check_password("0123456789").is_ok());
        assert!(check_password("012345678").is_err());
        assert!(check_password(&" ".repeat(12)).is_err());
        assert!(check_password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn name_rules() {
        assert_eq!(parse_name(" Ann "), Ok("Ann".to_string()));
        assert!(parse_name("").is_err());
        assert!(parse_name("a\u{7}b").is_err());
        assert!(parse_name(&"x".repeat(121)).is_err());
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in [Role::Admin, Role::Agent] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
