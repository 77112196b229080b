from mailferry_runner_imap.main import run

run()
