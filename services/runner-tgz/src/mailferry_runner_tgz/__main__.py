from mailferry_runner_tgz.main import run

run()
