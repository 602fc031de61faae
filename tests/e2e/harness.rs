//! The harness's own pieces work: a real Secret Service, a standalone sandbox.

use std::io::Write;
use std::process::{Command, Stdio};

use dinie_desk_e2e::App;

#[tokio::test]
async fn the_world_has_a_real_unlocked_secret_service() {
    App::run("secret-service", |app| async move {
        let env = app.env().to_vec();
        let mut store = Command::new("secret-tool")
            .args([
                "store",
                "--label=e2e",
                "service",
                "dinie-e2e",
                "account",
                "probe",
            ])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        store.stdin.take().unwrap().write_all(b"s3cr3t").unwrap();
        assert!(store.wait().unwrap().success());
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "dinie-e2e", "account", "probe"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "s3cr3t");
        app
    })
    .await;
}

#[tokio::test]
async fn a_standalone_sandbox_serves_the_api() {
    let (sandbox, client) = dinie_desk_e2e::standalone_sandbox().await;
    let c = client
        .customers()
        .create(
            dinie_desk_e2e::cpf(),
            dinie_desk_e2e::cnpj(dinie_desk_e2e::Form::Mei),
        )
        .name("Harness")
        .email("h@example.com")
        .phone("+5511987654321")
        .send()
        .await
        .unwrap();
    assert!(c.is_new());
    assert_eq!(sandbox.state().count("customers").await.unwrap(), 1);
}
