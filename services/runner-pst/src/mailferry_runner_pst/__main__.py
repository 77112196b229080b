from mailferry_runner_pst.main import run

run()
