import torch.nn as nn
import torch.nn.functional as F


class RNNTagger(nn.Module):
    def __init__(self, vocab_size, tagset_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 32)
        self.lstm = nn.LSTM(32, 64)
        self.out = nn.Linear(64, tagset_size)

    def forward(self, sentence):
        embeds = self.embed(sentence)
        lstm_out, _ = self.lstm(embeds)
        scores = self.out(lstm_out)
        return F.log_softmax(scores)  # expect: HC107


model = RNNTagger(1000, 17)
loss_function = nn.NLLLoss()
