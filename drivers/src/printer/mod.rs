//! ESC/POS thermal printers: ticket encoder, serial transport, simulated printer.
