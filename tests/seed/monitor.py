import time
import socket
import threading

HOST = "127.0.0.1"  # the monitor listens locally
PORT = 5000  # on this port
TIMEOUT = 10  # seconds of silence before a node is declared failed

nodes_status = {}  # last time each node sent a heartbeat
lock = threading.Lock()  # keeps the threads from changing the dictionary at once


def receive_heartbeat():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, PORT))  # a UDP socket listening for the messages
        print("Aguardando Heartbeats...")

        while True:
            data, addr = s.recvfrom(1024)  # receive a message
            message = data.decode()
            node_id = int(message.split()[-1])  # the node id ends the message

            with lock:
                nodes_status[node_id] = time.time()  # when this node was last heard from
                print(f"Recebido heartbeat de Node {node_id}")


def check_failures():
    while True:
        time.sleep(1)  # check every second
        current_time = time.time()
        with lock:
            for node_id in list(nodes_status.keys()):  # check each node
                if current_time - nodes_status[node_id] > TIMEOUT:  # silent for too long
                    print(f"No {node_id} falhou! Nenhum heartbeat recebido.")
                    handle_failure(node_id)  # react to the failure
                    del nodes_status[node_id]  # forget the node

    # note: the reaction only prints


def handle_failure(node_id):
    print(f"O servidor do nó {node_id} foi interrompido.")
    available_nodes = [n for n in nodes_status.keys() if n != node_id]  # the nodes still alive
    if available_nodes:
        new_target = min(available_nodes)  # the lowest id
        print(f"Pedidos de compra redirecionados para o nó {new_target}.\n")  # redirect the orders
    else:
        print("Crítico: nenhum nó disponível para redirecionamento.\n")  # no node left: critical alert


threading.Thread(target=receive_heartbeat, daemon=True).start()  # a thread receives
threading.Thread(target=check_failures, daemon=True).start()  # a thread checks

while True:
    time.sleep(1)
