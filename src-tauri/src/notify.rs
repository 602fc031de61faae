//! Desktop notifications: what they say, in the agent's language, and showing them. The
//! wording is kept to what the agent can act on.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::services::drafts::outbox::SyncProgress;
use crate::services::follow::Notice;

/// A notification's title and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub title: String,
    pub body: String,
}

/// What to say about a followed customer's change: no name, no reviewer's words (the detail
/// in the app says who and why).
pub fn for_notice(notice: &Notice, language: &str) -> Wording {
    let pt = language == "pt-BR";
    match notice {
        Notice::Activated => Wording {
            title: if pt {
                "Cliente ativado"
            } else {
                "Customer activated"
            }
            .to_owned(),
            body: if pt {
                "Um cliente foi ativado pela Dinie e já tem oferta de crédito."
            } else {
                "A customer was activated by Dinie and has a credit offer."
            }
            .to_owned(),
        },
        Notice::Denied => Wording {
            title: if pt {
                "Cadastro negado"
            } else {
                "Registration denied"
            }
            .to_owned(),
            body: if pt {
                "A Dinie negou o cadastro de um cliente. Abra o Dinie Desk para ver os detalhes."
            } else {
                "Dinie denied a customer's registration. Open Dinie Desk for the details."
            }
            .to_owned(),
        },
        Notice::Rejected { item } => Wording {
            title: if pt {
                "Documento recusado"
            } else {
                "Document rejected"
            }
            .to_owned(),
            body: if pt {
                format!("Um documento ({item}) foi recusado. Abra o Dinie Desk para ver o motivo.")
            } else {
                format!("A document ({item}) was rejected. Open Dinie Desk to see why.")
            },
        },
    }
}

/// What to say when a sync run ends.
pub fn for_sync(p: &SyncProgress, language: &str) -> Wording {
    let pt = language == "pt-BR";
    let mut body = if pt {
        format!("{} cadastro(s) enviado(s) à Dinie", p.sent)
    } else {
        format!("{} registration(s) sent to Dinie", p.sent)
    };
    if p.attention > 0 {
        body += &if pt {
            format!("; {} precisa(m) de atenção", p.attention)
        } else {
            format!("; {} need(s) attention", p.attention)
        };
    }
    Wording {
        title: if pt {
            "Rascunhos enviados"
        } else {
            "Drafts sent"
        }
        .to_owned(),
        body,
    }
}

/// Shows a desktop notification (a failure is logged: the app goes on without it).
pub fn show<R: Runtime>(app: &AppHandle<R>, wording: Wording) {
    let shown = app
        .notification()
        .builder()
        .title(wording.title)
        .body(wording.body)
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "could not show a desktop notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_follows_the_language() {
        assert_eq!(
            for_notice(&Notice::Activated, "pt-BR").title,
            "Cliente ativado"
        );
        assert_eq!(
            for_notice(&Notice::Activated, "en").title,
            "Customer activated"
        );
        let rejected = for_notice(&Notice::Rejected { item: "cnh".into() }, "pt-BR");
        assert!(rejected.body.contains("cnh"), "{}", rejected.body);
        let run = SyncProgress {
            sent: 12,
            attention: 1,
            ..SyncProgress::default()
        };
        assert_eq!(
            for_sync(&run, "pt-BR").body,
            "12 cadastro(s) enviado(s) à Dinie; 1 precisa(m) de atenção"
        );
        assert_eq!(
            for_sync(&run, "en").body,
            "12 registration(s) sent to Dinie; 1 need(s) attention"
        );
    }
}
