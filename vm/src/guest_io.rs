//! The guest's input and output buffers, read and written by its `ecall`s ([`crate::ecall`]).

/// The guest's inputs and outputs.
#[derive(Debug, Clone, Default)]
pub(crate) struct GuestIo {
    pub(crate) public_input: Vec<u8>,
    pub(crate) public_input_pos: usize,
    pub(crate) private_input: Vec<u8>,
    pub(crate) private_input_pos: usize,
    pub(crate) public_output: Vec<u8>,
    pub(crate) debug_output: Vec<u8>,
}

impl GuestIo {
    pub(crate) fn set_public_input(&mut self, input: Vec<u8>) {
        self.public_input = input;
        self.public_input_pos = 0;
    }

    pub(crate) fn set_private_input(&mut self, input: Vec<u8>) {
        self.private_input = input;
        self.private_input_pos = 0;
    }
}
