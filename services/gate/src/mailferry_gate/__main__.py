from mailferry_gate.main import run

run()
