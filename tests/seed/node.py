import time
import socket
import sys
import random

HOST = "127.0.0.1"  # heartbeats go to the local monitor
PORT = 5000  # on this port
INTERVAL = 5  # one heartbeat every 5 seconds

if len(sys.argv) != 2:  # the user forgot the id
    print("Para ligar um servidor/no utilize: python node.py <node_id>")
    sys.exit(1)

node_id = int(sys.argv[1])  # the node id comes from the command line


def send_heartbeat():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # a UDP socket to send with
        while True:
            try:
                message = f"Heartbeat from Node {node_id}".encode()  # the heartbeat
                s.sendto(message, (HOST, PORT))  # to the monitor
                print(f"Heartbeat enviado")
            except Exception as e:
                print(f"Falha ao enviar Heartbeat: {e}")

            time.sleep(INTERVAL + random.uniform(-1, 1))  # vary the interval so that nodes
            # do not all send at the same moment


send_heartbeat()
