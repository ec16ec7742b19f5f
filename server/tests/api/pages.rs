use reqwest::StatusCode;

use crate::helpers::{location, TestApp};

#[tokio::test]
async fn chat_redirects_to_login_and_remembers_where() {
    let app = TestApp::spawn().await;
    let res = app.get("/chat").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/login?next=/chat");

    let res = app.get("/chat/some-thread").await;
    assert_eq!(location(&res), "/login?next=/chat/some-thread");

    let res = app.get("/").await;
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn logged_in_users_get_the_chat() {
    let app = TestApp::spawn().await;
    app.register("ana").await;

    let res = app.get("/chat").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"data-testid="current-user">ana<"#),
        "{html}"
    );
    assert!(html.contains("Log out"));

    assert_eq!(location(&app.get("/").await), "/chat");
    // The login page sends a logged-in user on.
    assert_eq!(location(&app.get("/login?next=/chat/x").await), "/chat/x");
}

#[tokio::test]
async fn the_login_page_renders_without_javascript() {
    let app = TestApp::spawn().await;
    let res = app.get("/login?next=/chat").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"action="/api/login""#), "{html}");
    assert!(html.contains(r#"name="username""#));
    assert!(html.contains(r#"name="next" value="/chat""#));
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/no/such/page").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Leptos generates the route list by running the whole app once with
/// resource loading switched off by a process-wide flag (leptos#4773). A
/// page whose data resource was first polled inside that window, by any
/// other server in the process, waited forever: the "render that never
/// finishes" that made whole-suite runs hang now and then. Here one server
/// renders pages while another thread keeps starting servers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_servers_start_in_the_same_process() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    ana.send(&dm, "hello").await;

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let starter = {
        let done = done.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let mut started = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                rt.block_on(async {
                    drop(TestApp::spawn().await);
                });
                started += 1;
            }
            started
        })
    };

    let path = format!("/chat/{dm}");
    for i in 0..150 {
        let page = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            ana.get_page(&path).await.text().await.unwrap()
        })
        .await;
        let Ok(html) = page else {
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            panic!("page {i} got no answer within 10 s");
        };
        assert!(html.contains("hello"), "page {i}: {html}");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let started = starter.join().unwrap();
    assert!(started > 0, "no server started beside the pages");
}
